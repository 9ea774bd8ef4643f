from rest_framework.routers import DefaultRouter

from calibration.api import CalibrationViewSet, InstrumentViewSet
from certificates.api import CertificateViewSet
from jobs.api import JobViewSet
from lims.api import CustomerViewSet
from standards.api import CheckViewSet, StandardCalibrationViewSet, StandardViewSet

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="api-customer")
router.register("standards", StandardViewSet, basename="api-standard")
router.register(
    "standard-calibrations", StandardCalibrationViewSet, basename="api-standard-calibration"
)
router.register("checks", CheckViewSet, basename="api-check")
router.register("instruments", InstrumentViewSet, basename="api-instrument")
router.register("calibrations", CalibrationViewSet, basename="api-calibration")
router.register("certificates", CertificateViewSet, basename="api-certificate")
router.register("jobs", JobViewSet, basename="api-job")

urlpatterns = router.urls
