from django.urls import path

from standards import views

urlpatterns = [
    path("", views.standard_list, name="standards"),
    path("new/", views.standard_create, name="standard_create"),
    path("due/", views.standards_due, name="standards_due"),
    path("<int:pk>/", views.standard_detail, name="standard"),
    path(
        "<int:pk>/calibrations/new/",
        views.standard_calibration_create,
        name="standard_calibration_create",
    ),
]
