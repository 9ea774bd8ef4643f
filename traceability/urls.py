from django.urls import path

from traceability import views

urlpatterns = [
    path("calibrations/<int:pk>/", views.calibration_chain, name="traceability"),
    path("standards/<int:pk>/", views.standard_chain, name="standard_chain"),
    path("findings/", views.findings, name="findings"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
    path("findings/<int:pk>/csv/", views.finding_csv, name="finding_csv"),
]
