"""The audit table is append-only, down to the database."""

import pytest
from django.db import DatabaseError, transaction

from agreement.models import Party
from audit.models import AuditEvent
from audit.services import audit_record


def test_audit_record_names_actor_object_and_port(pola, administrator):
    event = audit_record(actor=administrator, action="test.did", obj=pola, after={"x": 1})
    assert event.actor_label == "administrator"
    assert event.object_type == "agreement.party"
    assert event.object_id == str(pola.pk)
    assert event.party_id == pola.pk


def test_system_actor_is_recorded_as_system(pola):
    event = audit_record(actor=None, action="job.ran", obj=pola)
    assert event.actor is None
    assert event.actor_label == "system"


def test_database_refuses_update_and_delete(pola):
    event = audit_record(actor=None, action="job.ran", obj=pola)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "job.ran"


def test_model_refuses_save_of_an_existing_event(pola):
    event = audit_record(actor=None, action="job.ran", obj=Party.objects.get(code="POLA"))
    event.action = "tampered"
    with pytest.raises(RuntimeError):
        event.save()
