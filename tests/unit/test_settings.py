from pathlib import Path

import pytest

from server.settings import SettingsError, load_settings


def test_defaults_come_from_config_default_toml() -> None:
    settings = load_settings(environ={})
    assert settings.server.port == 8080
    assert settings.database.url == ""
    assert settings.opening_hours.mode == "schedule"
    assert settings.opening_hours.schedule["mon"] == ["09:00-21:00"]


def test_environment_overrides_with_the_defaults_type() -> None:
    settings = load_settings(
        environ={
            "EGUIDANCE_SERVER__PORT": "9000",
            "EGUIDANCE_DATABASE__URL": "postgresql://u@h:5432/db",
            "EGUIDANCE_OUTBOX__BACKOFF_BASE_S": "0.5",
            "EGUIDANCE_OPENING_HOURS__SCHEDULE": '{"mon": ["08:00-10:00"]}',
        }
    )
    assert settings.server.port == 9000
    assert settings.database.url == "postgresql://u@h:5432/db"
    assert settings.outbox.backoff_base_s == 0.5
    assert settings.opening_hours.schedule == {"mon": ["08:00-10:00"]}


def test_a_file_overlays_the_defaults_and_the_environment_overlays_the_file(tmp_path: Path) -> None:
    file = tmp_path / "site.toml"
    file.write_text('[server]\nport = 7000\nservice_name = "Vejledning"\n')
    settings = load_settings(file, environ={"EGUIDANCE_SERVER__PORT": "7001"})
    assert settings.server.service_name == "Vejledning"
    assert settings.server.port == 7001


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"EGUIDANCE_SERVER__PORT": "eighty"}, "cannot read"),
        ({"EGUIDANCE_SERVER__PROT": "80"}, "unknown setting"),
        ({"EGUIDANCE_NOPE__X": "1"}, "unknown settings section"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(environ=environ)


def test_a_wrongly_typed_file_value_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "bad.toml"
    file.write_text('[server]\nport = "8080"\n')
    with pytest.raises(SettingsError, match="expected int"):
        load_settings(file, environ={})
