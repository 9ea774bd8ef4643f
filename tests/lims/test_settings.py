import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DJANGO_SECRET_KEY": "x7!k2pQz9vLm4rT8wYb3nHc6jF1sDg5aE0uIoPq2rS9tVxZ4yW",
    "DJANGO_ALLOWED_HOSTS": "lims.example.vn",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://lims.example.vn",
    "DJANGO_SECURE_COOKIES": "1",
    "DJANGO_SECURE_SSL_REDIRECT": "1",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_BEHIND_PROXY": "1",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LIMS_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args] + (["--no-imports"] if args[0] == "shell" else []),
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_with_the_production_settings_of_the_readme():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_demo_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0 and "SECRET_KEY" in result.stdout + result.stderr


def test_debug_is_off_unless_asked():
    code = "from django.conf import settings; print(settings.DEBUG)"
    assert manage("shell", "-c", code, env={}).stdout.strip() == "False"
    assert manage("shell", "-c", code, env={"DJANGO_DEBUG": "1"}).stdout.strip() == "True"


def test_a_bad_boolean_fails_loudly():
    result = manage("check", env={"DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0 and "DJANGO_DEBUG must be a boolean" in result.stderr


def test_database_url_selects_postgresql():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    env = {"DATABASE_URL": "postgres://u:p@db.example:5432/lims"}
    assert manage("shell", "-c", code, env=env).stdout.strip() == "django.db.backends.postgresql"
