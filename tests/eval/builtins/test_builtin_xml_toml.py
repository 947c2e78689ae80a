"""toXML details and fromTOML errors."""

from __future__ import annotations


def test_xml_escapes_newline_in_attributes(nix):
    out = nix('builtins.toXML "a\\nb<>&\\""')
    assert "a&#xA;b&lt;&gt;&amp;&quot;" in out


def test_xml_primops_are_unevaluated(nix):
    assert "<unevaluated />" in nix("builtins.toXML [ builtins.map ]")


def test_xml_derivation_without_drv_path_is_repeated(nix):
    assert "<repeated />" in nix('builtins.toXML { type = "derivation"; }')


def test_toml_dates_are_unsupported(nix_error):
    assert nix_error('builtins.fromTOML "a = 1979-05-27"') == (
        "while parsing TOML: Dates and times are not supported"
    )


def test_toml_syntax_error(nix_error):
    assert nix_error('builtins.fromTOML "a = "').startswith("while parsing TOML: ")


def test_toml_special_floats(nix):
    assert nix('builtins.fromTOML "a = inf\\nb = -inf"') == "{ a = inf; b = -inf; }"
