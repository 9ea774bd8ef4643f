from django.urls import path

from calibration import import_views, procedure_views, views

urlpatterns = [
    path("instruments/", views.instrument_list, name="instruments"),
    path("instruments/new/", views.instrument_create, name="instrument_create"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument"),
    path("calibrations/", views.calibration_list, name="calibrations"),
    path("calibrations/new/", views.calibration_create_view, name="calibration_create"),
    path("calibrations/<int:pk>/", views.calibration_detail, name="calibration"),
    path("calibrations/<int:pk>/points/", views.points_save, name="calibration_points"),
    path(
        "calibrations/<int:pk>/points/preview/",
        views.point_preview,
        name="calibration_point_preview",
    ),
    path(
        "calibrations/<int:pk>/conditions/",
        views.calibration_conditions,
        name="calibration_conditions",
    ),
    path("calibrations/<int:pk>/draft/", views.entry_draft, name="calibration_entry_draft"),
]
urlpatterns += procedure_views.urlpatterns + import_views.urlpatterns
# the workflow moves last: `<str:move>` would take any other calibration sub-page
urlpatterns += [
    path("calibrations/<int:pk>/<str:move>/", views.calibration_move, name="calibration_move"),
]
