"""The emissions pages: list, enter, review, import."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import EmissionsInventory, InventoryFigure, InventoryStatus
from reports.seed import seed_public_inventories


def test_the_public_sees_accepted_figures_with_percentage_only_records_marked(client, agreement):
    seed_public_inventories()
    response = client.get(reverse("reports:emissions"))
    assert response.status_code == 200
    assert "16,331" in response.text
    assert "-73%" in response.text and "vs 2005" in response.text
    assert "Enter an inventory" not in response.text


def test_port_staff_enter_their_ports_inventory_for_review(client, pola_staff, pola):
    client.force_login(pola_staff)
    response = client.post(
        reverse("reports:emissions-new"),
        {
            "party": pola.pk,
            "year": 2014,
            "dpm": "150",
            "teu": "8300000",
            "basis": "illustrative",
            "source": "demo entry",
            "precision": "",
        },
    )
    assert response.status_code == 302
    inventory = EmissionsInventory.objects.get(party=pola, year=2014)
    assert inventory.status == InventoryStatus.SUBMITTED
    assert set(inventory.figures.values_list("basis", flat=True)) == {"illustrative"}
    listing = client.get(reverse("reports:emissions"))
    assert "illustrative" in listing.text


def test_a_form_without_figures_keeps_what_was_typed_and_says_why(client, pola_staff, pola):
    client.force_login(pola_staff)
    response = client.post(
        reverse("reports:emissions-new"),
        {"party": pola.pk, "year": 2014, "basis": "published", "source": "kept source"},
    )
    assert response.status_code == 200
    assert "Enter at least one figure." in response.text
    assert 'value="kept source"' in response.text
    assert not EmissionsInventory.objects.exists()


def test_port_staff_cannot_edit_the_other_ports_inventory(client, pola_staff, polb, administrator):
    seed_public_inventories()
    polb_2005 = EmissionsInventory.objects.get(party=polb, year=2005)
    client.force_login(pola_staff)
    assert client.get(reverse("reports:emissions-edit", args=[polb_2005.pk])).status_code == 403


def test_a_reviewer_accepts_a_submitted_inventory(client, pola_staff, reviewer, pola):
    inventory = EmissionsInventory.objects.create(party=pola, year=2014, submitted_by=pola_staff)
    InventoryFigure.objects.create(
        inventory=inventory, metric="DPM", value=150, basis="published", source="x"
    )
    client.force_login(reviewer)
    page = client.get(reverse("reports:emissions-review", args=[inventory.pk]))
    assert "150" in page.text
    response = client.post(
        reverse("reports:emissions-review", args=[inventory.pk]), {"decision": "reject", "note": ""}
    )
    assert response.status_code == 200
    assert "A reason is required." in response.text
    response = client.post(
        reverse("reports:emissions-review", args=[inventory.pk]), {"decision": "accept", "note": ""}
    )
    assert response.status_code == 302
    inventory.refresh_from_db()
    assert inventory.status == InventoryStatus.ACCEPTED


def test_the_import_page_lists_row_errors_and_saves_nothing(client, administrator):
    client.force_login(administrator)
    upload = SimpleUploadedFile(
        "inv.csv",
        b"port,year,metric,value,unit,precision,source\n"
        b"POLA,2013,DPM,170,short tons/yr,exact,src\n"
        b"POLA,2013,NOx,lots,short tons/yr,exact,src\n",
        content_type="text/csv",
    )
    response = client.post(reverse("reports:emissions-import"), {"file": upload})
    assert response.status_code == 200
    assert "Rows to correct (nothing was saved)" in response.text
    assert "<td>3</td><td>value</td><td>Not a number.</td>" in response.text
    assert not InventoryFigure.objects.exists()


def test_reviewers_cannot_open_the_import_page(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("reports:emissions-import")).status_code == 403


def test_administrators_see_inventories_and_runs_read_only_in_admin(client, administrator):
    seed_public_inventories()
    client.force_login(administrator)
    inventory = EmissionsInventory.objects.first()
    assert inventory is not None
    assert client.get(reverse("admin:reports_emissionsinventory_changelist")).status_code == 200
    page = client.get(reverse("admin:reports_emissionsinventory_change", args=[inventory.pk]))
    assert page.status_code == 200
    assert 'type="submit"' not in page.text or "_save" not in page.text
    assert client.get(reverse("admin:reports_reportrun_changelist")).status_code == 200


def test_the_emissions_list_query_count_does_not_grow_with_inventories(
    client, reviewer, django_assert_max_num_queries
):
    seed_public_inventories()  # 26 inventories
    client.force_login(reviewer)
    # 6, and 5 for the two sections below the list: the ports, their accepted inventories
    # with figures and category figures, the CAAP targets.
    with django_assert_max_num_queries(11):
        response = client.get(reverse("reports:emissions"))
    inventories_table = response.text.split("</table>")[0]
    assert inventories_table.count("<tr>") == EmissionsInventory.objects.count() + 1
