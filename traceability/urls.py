from django.urls import path

from traceability import views

urlpatterns = [
    path("calibrations/<int:pk>/", views.calibration_chain, name="traceability"),
]
