"""Settings come from OPENPO_* variables with safe defaults; production settings pass Django's
deployment checklist (`openpo check --deploy`)."""

import os
import secrets
import stat
import subprocess
import sys

SETTINGS_PROBE = "from django.conf import settings as s; print({})"


def _openpo(args, tmp_path, **env):
    full_env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith("OPENPO_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
        },
        "OPENPO_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "openpo.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "openpo", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        check=False,
    )


def _setting(expression, tmp_path, **env):
    result = _openpo(["shell", "-c", SETTINGS_PROBE.format(expression)], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    result = _openpo(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        OPENPO_DEBUG="0",
        OPENPO_SECRET_KEY=secrets.token_urlsafe(50),
        OPENPO_HSTS_PRELOAD="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_without_preload_only_the_preload_warning_remains(tmp_path):
    # The README explains why HSTS preloading is the operator's choice.
    result = _openpo(
        ["check", "--deploy"],
        tmp_path,
        OPENPO_DEBUG="0",
        OPENPO_SECRET_KEY=secrets.token_urlsafe(50),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0
    assert "security.W021" in output and "1 issue" in output


def test_without_a_secret_key_one_is_made_once_and_kept_private(tmp_path):
    first = _setting("s.SECRET_KEY", tmp_path)
    second = _setting("s.SECRET_KEY", tmp_path)
    assert first == second and len(first) >= 50
    mode = stat.S_IMODE((tmp_path / "secret-key").stat().st_mode)
    assert mode == 0o600


def test_the_defaults_are_safe_for_a_laptop(tmp_path):
    assert _setting("s.DEBUG", tmp_path) == "False"
    assert _setting("s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE", tmp_path) == "True True"
    assert _setting("s.SECURE_SSL_REDIRECT", tmp_path, OPENPO_HTTPS="0") == "False"
    assert _setting("s.LANGUAGE_CODE, s.TIME_ZONE", tmp_path) == "id Asia/Jakarta"
    assert _setting("s.DATABASES['default']['ENGINE']", tmp_path) == "openpo.core.sqlite"
    assert _setting("s.DATABASES['default']['NAME']", tmp_path) == str(tmp_path / "openpo.sqlite3")
    assert (
        _setting("s.DATABASES['default']['OPTIONS']['transaction_mode']", tmp_path) == "IMMEDIATE"
    )


def test_the_database_url_selects_postgresql(tmp_path):
    engine = _setting(
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']",
        tmp_path,
        OPENPO_DATABASE_URL="postgres://openpo:secret@db.example:5432/openpo",
    )
    assert engine == "django.db.backends.postgresql openpo"


def test_sqlite_runs_in_wal_mode(tmp_path):
    mode = _setting(
        "__import__('django.db').db.connection.cursor().execute('PRAGMA journal_mode').fetchone()",
        tmp_path,
    )
    assert mode == "('wal',)"


def test_python_dash_m_openpo_is_the_management_utility(tmp_path):
    result = _openpo(["help"], tmp_path)
    assert result.returncode == 0
    assert "migrate" in result.stdout and "[catalog]" not in result.stderr


def test_sqlite_keeps_the_cache_in_its_own_file(tmp_path):
    assert _setting("sorted(s.DATABASES), s.DATABASE_ROUTERS", tmp_path) == (
        "['cache', 'default'] ['openpo.core.routers.CacheRouter']"
    )
    assert _setting("sorted(s.DATABASES)", tmp_path, OPENPO_CACHE_URL="locmem://") == (
        "['default']"
    )


def test_a_malformed_rate_limit_stops_the_start(tmp_path):
    result = _openpo(["check"], tmp_path, OPENPO_RATE_LIMIT_ORDERS="lots")
    assert result.returncode != 0
    assert "OPENPO_RATE_LIMIT_ORDERS must look like 20/60" in result.stderr
