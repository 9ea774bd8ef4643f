from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from certificates import views as certificate_views
from certificates.views import home
from lims import views

urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("customers/", views.customer_list, name="customers"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail, name="customer"),
    path("history/<str:kind>/<int:pk>/", views.history, name="history"),
    path("standards/", include("standards.urls")),
    path("", include("calibration.urls")),
    path("jobs/", include("jobs.urls")),
    path("competence/", include("competence.urls")),
    path("traceability/", include("traceability.urls")),
    path("certificates/batches/", include("batches.urls")),
    path("certificates/", include("certificates.urls")),
    path("portal/", include("portal.urls")),
    path("verification/", include("verification.urls")),
    path("verify/<str:token>/", certificate_views.verify, name="verify"),
    path("api/", include("lims.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
    path("admin/", admin.site.urls),
]
