from django.urls import path

from competence import views

urlpatterns = [
    path("", views.authorisation_list, name="authorisations"),
    path("people/<int:pk>/", views.competence_person, name="competence_person"),
    path("grant/", views.grant, name="authorisation_grant"),
    path("<int:pk>/revoke/", views.revoke, name="authorisation_revoke"),
]
