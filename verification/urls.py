"""URLs of legal verification, under /verification/ (plain URL names: no app_name)."""

from django.urls import path

from verification import register_views

urlpatterns: list = [
    path("types/", register_views.typelists, name="verification_types"),
    path("types/import/", register_views.typelist_import_view, name="verification_typelist_import"),
    path("types/<int:pk>/", register_views.typelist, name="verification_typelist"),
    path("types/<int:pk>/csv/", register_views.typelist_export, name="verification_typelist_csv"),
    path(
        "types/<int:pk>/in-force/",
        register_views.typelist_in_force,
        name="verification_typelist_in_force",
    ),
    path("cards/", register_views.cards, name="verifier_cards"),
    path("cards/new/", register_views.card_record_view, name="verifier_card_record"),
    path("cards/<int:pk>/revoke/", register_views.card_revoke_view, name="verifier_card_revoke"),
    path("marks/", register_views.marks, name="marks"),
    path("marks/receive/", register_views.mark_receive, name="mark_receive"),
    path("marks/write-off/", register_views.mark_write_off_view, name="mark_write_off"),
]
