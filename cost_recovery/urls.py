from django.urls import path

from . import views

app_name = "cost-recovery"

urlpatterns = [
    path("", views.invoice_list, name="list"),
    path("<int:pk>/", views.invoice_detail, name="invoice"),
]
