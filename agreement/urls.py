from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("status/", views.public_status, name="public-status"),
    path("agreement/", views.terms, name="agreement-terms"),
]
