"""`lerend formats list|validate|export|load`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from formats.loader import BUILTIN_DIR, parse_format_yaml
from formats.models import Format, FormatVersion
from formats.services import copy_format

MINI = "stimuleren-van-levenslang-leren"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("formats", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_list(db):
    out, _err = run("list")
    lines = out.splitlines()
    assert len(lines) == Format.objects.builtin().count()
    mini = next(line for line in lines if line.startswith(MINI))
    assert "at most 60 min (phases 75 min)" in mini
    assert "2 warnings" in mini


def test_list_with_an_organisation(db, org, facilitator_user):
    copy_format(Format.objects.builtin().get(slug=MINI), organisation=org, actor=facilitator_user)
    out, _err = run("list", "--organisation", "korenbloem")
    assert out.splitlines()[0].startswith(f"{MINI}  v1  own")
    with pytest.raises(CommandError, match="No organisation"):
        run("list", "--organisation", "bestaat-niet")


def test_validate_prints_warnings(db):
    path = BUILTIN_DIR / "000-stimuleren-van-levenslang-leren.yaml"
    out, _err = run("validate", str(path))
    assert "warning: The phases add up to 75 min, more than the declared maximum of 60 min." in out
    assert "valid (stimuleren-van-levenslang-leren" in out


def test_validate_fails_on_a_bad_file(db, tmp_path):
    good = BUILTIN_DIR / "004-quickscan-leervoorwaarden.yaml"
    bad = tmp_path / "slecht.yaml"
    bad.write_text("slug: x\ntitle: X\nphases:\n  - title: A\n    duration: lang\n", "utf-8")
    missing = tmp_path / "nergens.yaml"
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 of 3 file"):
        call_command(
            "formats", "validate", str(good), str(bad), str(missing), stdout=out, stderr=err
        )
    assert "24-28 min" in out.getvalue()
    assert "slecht.yaml: error: phases[0].duration (line 5): Expected minutes" in err.getvalue()
    assert "slecht.yaml: error: phases[0].steps (line 4): This field is required." in err.getvalue()
    assert "nergens.yaml: cannot be read" in err.getvalue()


def test_validate_exits_1_from_the_lerend_command(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    bad = tmp_path / "slecht.yaml"
    bad.write_text("- niet\n", "utf-8")
    result = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).parent / "lerend"), "formats", "validate", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr


def test_export_round_trips(db, org, facilitator_user, tmp_path):
    out, _err = run("export", MINI)
    content, problems = parse_format_yaml(out)
    assert problems == []
    assert content == Format.objects.builtin().get(slug=MINI).content
    target = tmp_path / "mini.yaml"
    run("export", MINI, "-o", str(target))
    assert target.read_text("utf-8") == out
    with pytest.raises(CommandError, match="No format"):
        run("export", "geen-werkvorm")
    with pytest.raises(CommandError, match="no version 9"):
        run("export", MINI, "--version", "9")


def test_load_is_idempotent(db):
    before = FormatVersion.objects.count()
    out, _err = run("load")
    assert "0 created, 0 updated" in out
    assert FormatVersion.objects.count() == before
