"""URLs of legal verification, under /verification/ (plain URL names: no app_name)."""

from django.urls import path

from verification import campaign_views, register_views, report_views, views

urlpatterns: list = [
    path("", views.verification_list, name="verifications"),
    path("new/", views.verification_new, name="verification_new"),
    path("<int:pk>/", views.verification_detail, name="verification"),
    path("<int:pk>/edit/", views.verification_edit, name="verification_edit"),
    path("<int:pk>/issue/", views.verification_issue_view, name="verification_issue"),
    path("<int:pk>/pdf/", views.verification_pdf, name="verification_pdf"),
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
    path("report/", report_views.report, name="verification_report"),
    path("report/report.xlsx", report_views.report_xlsx, name="verification_report_xlsx"),
    path("report/report.pdf", report_views.report_pdf_view, name="verification_report_pdf"),
    path("campaigns/", campaign_views.campaign_list, name="campaigns"),
    path("campaigns/new/", campaign_views.campaign_create_view, name="campaign_create"),
    path(
        "campaigns/offline.js",
        campaign_views.campaign_offline_worker,
        name="campaign_offline_worker",
    ),
    path("campaigns/<int:pk>/", campaign_views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", campaign_views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/close/", campaign_views.campaign_close_view, name="campaign_close"),
    path("campaigns/<int:pk>/entry/", campaign_views.campaign_entry, name="campaign_entry"),
    path("campaigns/<int:pk>/preview/", campaign_views.campaign_preview, name="campaign_preview"),
    path("campaigns/<int:pk>/rows/", campaign_views.campaign_rows, name="campaign_rows"),
    path("campaigns/<int:pk>/sign/", campaign_views.campaign_sign, name="campaign_sign"),
]
