"""What a signature covers: the calibration's data laid out canonically, and its SHA-256.

Everything the reviewer saw and the certificate will state is in `content`: instrument, procedure
version, dates, place, environment, adjustment, remarks, the standards with the certificate in
force, and every point with its range, phase, reference value, readings as typed and stored
result. Any change to any of them gives another digest, and the signature is void.
"""

import hashlib
import json
from decimal import Decimal


def content(calibration) -> dict:
    uses = calibration.standard_uses.order_by("standard_id")
    points = calibration.points.select_related("reference").order_by(
        "range_id", "phase", "position"
    )
    return {
        "calibration": calibration.pk,
        "instrument": calibration.instrument_id,
        "procedure": [calibration.procedure.code, calibration.procedure.version],
        "technician": calibration.technician_id,
        "received_on": calibration.received_on.isoformat(),
        "performed_on": calibration.performed_on.isoformat(),
        "place": calibration.place,
        "temperature": _plain(calibration.temperature),
        "humidity": _plain(calibration.humidity),
        "adjustment": calibration.adjustment,
        "remarks": calibration.remarks,
        "standards": [[use.standard_id, use.standard_calibration_id] for use in uses],
        "points": [
            {
                "range": point.range_id,
                "phase": point.phase,
                "position": point.position,
                "reference": [point.reference_id, str(point.reference.value)],
                "readings": point.readings,
                "result": point.result,
            }
            for point in points
        ],
    }


def _plain(value) -> str:
    """23.0 and 23.00 are the same reading of the thermometer: one text for both."""
    return f"{Decimal(value).normalize():f}"


def digest_of(data: dict) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def digest(calibration) -> str:
    return digest_of(content(calibration))
