from django.urls import path

from standards import dcc_import, views

urlpatterns = [
    path("", views.standard_list, name="standards"),
    path("new/", views.standard_create, name="standard_create"),
    path("due/", views.standards_due, name="standards_due"),
    path("<int:pk>/", views.standard_detail, name="standard"),
    path("<int:pk>/edit/", views.standard_edit, name="standard_edit"),
    path("<int:pk>/status/", views.standard_status, name="standard_status"),
    path("<int:pk>/pieces/new/", views.piece_create, name="piece_create"),
    path("<int:pk>/documents/new/", views.document_create, name="document_create"),
    path("documents/<int:pk>/file/", views.document_file, name="document_file"),
    path(
        "<int:pk>/calibrations/new/",
        views.standard_calibration_create,
        name="standard_calibration_create",
    ),
    path(
        "<int:pk>/calibrations/<int:replaces>/replace/",
        views.standard_calibration_create,
        name="standard_calibration_replace",
    ),
    path("<int:pk>/dcc/", dcc_import.dcc_import, name="standard_dcc_import"),
    path("calibrations/<int:pk>/<str:kind>/", views.incoming_file, name="incoming_file"),
    path("<int:pk>/checks/", views.standard_checks, name="standard_checks"),
    path("<int:pk>/interval/", views.standard_interval, name="standard_interval"),
    path("interval-reviews/<int:pk>/decide/", views.interval_decision, name="interval_decision"),
]
