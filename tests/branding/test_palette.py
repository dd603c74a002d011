"""branding.colours, branding.oklch and branding.palette: brand colours are readable and visible,
and the palette pages use keeps them so in both schemes. Pure functions; no database."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import pytest
import tinycss2

from branding.colours import (
    DARK_SURFACE,
    DARK_TEXT,
    LIGHT_SURFACE,
    LIGHT_TEXT,
    NON_TEXT_CONTRAST,
    TEXT_CONTRAST,
    contrast_ratio,
    parse_hex,
    passes_checks,
    relative_luminance,
    shown_ratio,
    text_on,
    to_hex,
)
from branding.oklch import from_oklch, nearest_lightness, nearest_passing, oklch
from branding.palette import PALETTE_KEYS, Palette, check_contrast, css_variables, expand_palette


def sample_colours(count: int, *, seed: int = 20240611) -> list[str]:
    """Random colours plus the corners of the cube and greys, the same on every run."""
    rng = random.Random(seed)
    corners = [to_hex((r, g, b)) for r in (0, 255) for g in (0, 255) for b in (0, 255)]
    greys = [to_hex((v, v, v)) for v in range(0, 256, 17)]
    brandish = ["#facc15", "#4f46e5", "#0ea5e9", "#ff0000", "#22c55e", "#e11d48", "#f97316", "#1e3a8a"]
    return corners + greys + brandish + [f"#{rng.randrange(1 << 24):06x}" for _ in range(count)]


def brute_force_delta(colour: str, passes: Callable[[str], bool], *, steps: int = 1000) -> float:
    """The smallest OKLCH lightness change, on a fine grid, that makes `colour` pass."""
    lightness, chroma, hue = oklch(colour)
    return min(
        abs(candidate / steps - lightness)
        for candidate in range(steps + 1)
        if passes(from_oklch(candidate / steps, chroma, hue))
    )


# ---------------------------------------------------------------------------------------------
# Parsing and contrast
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rgb"),
    [("#4f46e5", (79, 70, 229)), ("#4F46E5", (79, 70, 229)), ("#fff", (255, 255, 255)), ("#0aF", (0, 170, 255))],
)
def test_parse_hex_reads_long_and_short_forms(text: str, rgb: tuple[int, int, int]) -> None:
    assert parse_hex(text) == rgb


@pytest.mark.parametrize(
    "text",
    ["fff", "#ff", "#ffff", "#fffff", "#ffffff80", "#gggggg", " #ffffff", "#ffffff ", "#ffffff\n", "red", "", "#"],
)
def test_parse_hex_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError):
        parse_hex(text)


def test_to_hex_writes_lower_case_and_refuses_out_of_range() -> None:
    assert to_hex((79, 70, 229)) == "#4f46e5"
    for bad in [(256, 0, 0), (-1, 0, 0), (1.0, 0, 0)]:
        with pytest.raises(ValueError):
            to_hex(bad)  # type: ignore[arg-type]


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance("#000000") == 0.0
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == contrast_ratio("#000000", "#ffffff")
    # The well-known AA boundary for grey text on white.
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54
    assert round(contrast_ratio("#777777", "#ffffff"), 2) == 4.48


def test_shown_ratio_never_rounds_a_failure_up_to_the_requirement() -> None:
    assert shown_ratio(4.4999) == 4.49
    assert shown_ratio(3.0) == 3.0


def test_text_on_picks_the_more_readable_label() -> None:
    assert text_on("#4f46e5") == LIGHT_TEXT
    assert text_on("#facc15") == DARK_TEXT
    assert text_on("#000000") == LIGHT_TEXT
    assert text_on("#ffffff") == DARK_TEXT


# ---------------------------------------------------------------------------------------------
# Checks when a brand is saved
# ---------------------------------------------------------------------------------------------


def test_check_contrast_accepts_a_readable_brand() -> None:
    assert check_contrast(primary="#4f46e5", accent="#1e3a8a") == []


def test_check_contrast_yellow_on_white_is_not_seen() -> None:
    # given a yellow primary: dark labels read well on it, but it vanishes on white
    # when
    problems = check_contrast(primary="#facc15", accent="#4f46e5")
    # then
    assert len(problems) == 1
    problem = problems[0]
    assert problem.field == "primary_colour"
    assert problem.against == "#ffffff"
    assert problem.ratio == 1.53
    assert problem.required == NON_TEXT_CONTRAST
    assert "#facc15 on white has a contrast of 1.53:1; buttons and focus rings need at least 3:1 to be seen." in (
        problem.message
    )
    assert problem.suggestion in problem.message
    assert passes_checks(problem.suggestion)


def test_check_contrast_red_has_no_readable_label() -> None:
    # given pure red: neither white nor dark text reaches 4.5:1 on it
    # when
    problems = check_contrast(primary="#4f46e5", accent="#ff0000")
    # then
    assert [(p.field, p.against, p.ratio, p.required) for p in problems] == [
        ("accent_colour", DARK_TEXT, 4.43, TEXT_CONTRAST)
    ]
    assert "button labels" in problems[0].message and "4.43:1" in problems[0].message
    assert passes_checks(problems[0].suggestion)


def test_check_contrast_reports_each_failing_field_with_its_own_suggestion() -> None:
    # given a primary too faint on white and an accent no label reads on
    # when
    problems = check_contrast(primary="#aaaaaa", accent="#ff0000")
    # then
    assert [(p.field, p.against) for p in problems] == [("primary_colour", LIGHT_SURFACE), ("accent_colour", DARK_TEXT)]
    assert [p.suggestion for p in problems] == [nearest_passing("#aaaaaa"), nearest_passing("#ff0000")]
    assert all(p.ratio < p.required for p in problems)
    assert "primary colour #aaaaaa" in problems[0].message and "accent colour #ff0000" in problems[1].message


def test_check_contrast_refuses_a_malformed_colour() -> None:
    with pytest.raises(ValueError):
        check_contrast(primary="blue", accent="#4f46e5")


# ---------------------------------------------------------------------------------------------
# The nearest passing colour
# ---------------------------------------------------------------------------------------------


def test_nearest_passing_always_passes_and_keeps_passing_colours() -> None:
    for colour in sample_colours(600):
        suggestion = nearest_passing(colour)
        assert passes_checks(suggestion), colour
        if passes_checks(colour):
            assert suggestion == colour.lower()


def test_nearest_passing_changes_lightness_no_more_than_a_brute_force_scan() -> None:
    for colour in sample_colours(40, seed=7):
        if passes_checks(colour):
            continue
        # given the smallest lightness change a fine scan finds
        best = brute_force_delta(colour, passes_checks)
        # when
        suggestion = nearest_passing(colour)
        # then the suggestion moves no further (8-bit rounding moves lightness by ~0.002)
        assert abs(oklch(suggestion)[0] - oklch(colour)[0]) <= best + 0.004, colour


def test_nearest_passing_keeps_the_hue() -> None:
    for colour in sample_colours(300, seed=3):
        _, chroma, hue = oklch(colour)
        suggestion = nearest_passing(colour)
        _, new_chroma, new_hue = oklch(suggestion)
        if chroma > 0.08 and new_chroma > 0.05:
            assert min(abs(new_hue - hue), 360 - abs(new_hue - hue)) < 5, (colour, suggestion)
        assert new_chroma <= chroma + 0.01


def test_nearest_passing_on_the_dark_surface_passes_there() -> None:
    for colour in sample_colours(200, seed=11):
        assert passes_checks(nearest_passing(colour, surface=DARK_SURFACE), surface=DARK_SURFACE)


def test_nearest_passing_is_fast_and_deterministic() -> None:
    colours = sample_colours(500, seed=5)
    started = time.perf_counter()
    first = [nearest_passing(colour) for colour in colours]
    elapsed = time.perf_counter() - started
    assert first == [nearest_passing(colour) for colour in colours]
    assert elapsed / len(colours) < 0.001


def test_nearest_lightness_refuses_an_impossible_check() -> None:
    with pytest.raises(ValueError):
        nearest_lightness("#4f46e5", passes=lambda colour: False)


# ---------------------------------------------------------------------------------------------
# The palette
# ---------------------------------------------------------------------------------------------


def test_expand_palette_has_every_key_as_hex_in_both_schemes() -> None:
    palette = expand_palette(primary="#4f46e5", accent="#1e3a8a")
    for scheme in (palette.light, palette.dark):
        assert tuple(scheme) == PALETTE_KEYS
        for value in scheme.values():
            assert parse_hex(value) and value == value.lower() and len(value) == 7


def test_expand_palette_keeps_a_passing_brand_in_the_light_scheme() -> None:
    palette = expand_palette(primary="#4f46e5", accent="#1e3a8a")
    assert palette.light["brand-primary"] == "#4f46e5"
    assert palette.light["brand-accent"] == "#1e3a8a"
    assert palette.light["brand-on-primary"] == LIGHT_TEXT


def test_expand_palette_lightens_a_dark_primary_for_the_dark_scheme() -> None:
    # given navy, which all but disappears on the dark surface
    assert contrast_ratio("#1e3a8a", DARK_SURFACE) < NON_TEXT_CONTRAST
    # when
    dark = expand_palette(primary="#1e3a8a", accent="#4f46e5").dark
    # then it is lighter there, visible, with a label recomputed for it
    assert oklch(dark["brand-primary"])[0] > oklch("#1e3a8a")[0]
    assert contrast_ratio(dark["brand-primary"], DARK_SURFACE) >= NON_TEXT_CONTRAST
    assert dark["brand-on-primary"] == text_on(dark["brand-primary"])


@pytest.mark.parametrize(("scheme", "surface"), [("light", LIGHT_SURFACE), ("dark", DARK_SURFACE)])
def test_expand_palette_meets_wcag_for_any_brand_that_passes_its_checks(scheme: str, surface: str) -> None:
    for sample in sample_colours(120, seed=13):
        # the light scheme draws what was saved, and only passing colours are saved unasked
        colour = nearest_passing(sample)
        values = getattr(expand_palette(primary=colour, accent=colour), scheme)
        for name in ("primary", "accent"):
            base, label, hover = values[f"brand-{name}"], values[f"brand-on-{name}"], values[f"brand-{name}-hover"]
            assert contrast_ratio(base, surface) >= NON_TEXT_CONTRAST, colour
            assert contrast_ratio(base, label) >= TEXT_CONTRAST, colour
            assert hover != base, colour
            assert contrast_ratio(hover, label) >= TEXT_CONTRAST, colour
        assert contrast_ratio(values["brand-ink"], surface) >= TEXT_CONTRAST, colour
        assert contrast_ratio(values["brand-focus"], surface) >= NON_TEXT_CONTRAST, colour
        # the washes stay close to the surface, the strong one further than the faint one
        tint, strong = (
            contrast_ratio(values["brand-tint"], surface),
            contrast_ratio(values["brand-tint-strong"], surface),
        )
        assert 1 <= tint <= strong < 1.6, colour


def test_expand_palette_hover_is_darker_in_light_and_lighter_in_dark_for_a_typical_brand() -> None:
    palette = expand_palette(primary="#4f46e5", accent="#facc15")
    assert oklch(palette.light["brand-primary-hover"])[0] < oklch(palette.light["brand-primary"])[0]
    assert oklch(palette.dark["brand-primary-hover"])[0] > oklch(palette.dark["brand-primary"])[0]
    assert oklch(palette.dark["brand-accent-hover"])[0] > oklch(palette.dark["brand-accent"])[0]


def test_expand_palette_ink_darkens_a_light_primary_for_links() -> None:
    light = expand_palette(primary="#0ea5e9", accent="#4f46e5").light
    assert contrast_ratio("#0ea5e9", LIGHT_SURFACE) < TEXT_CONTRAST
    assert contrast_ratio(light["brand-ink"], LIGHT_SURFACE) >= TEXT_CONTRAST
    assert oklch(light["brand-ink"])[0] < oklch("#0ea5e9")[0]


# ---------------------------------------------------------------------------------------------
# CSS
# ---------------------------------------------------------------------------------------------


def test_css_variables_writes_both_schemes() -> None:
    # given
    palette = expand_palette(primary="#4f46e5", accent="#1e3a8a")
    # when
    css = css_variables(palette)
    # then the light scheme is on :root and the dark one in its media query
    assert css.startswith(":root{--brand-primary:#4f46e5;")
    rules = tinycss2.parse_stylesheet(css, skip_whitespace=True)
    assert [rule.type for rule in rules] == ["qualified-rule", "at-rule"]
    light = tinycss2.parse_declaration_list(rules[0].content)
    assert {d.name: tinycss2.serialize(d.value) for d in light} == {f"--{k}": v for k, v in palette.light.items()}
    assert tinycss2.serialize(rules[1].prelude).strip() == "(prefers-color-scheme: dark)"
    (dark_rule,) = tinycss2.parse_rule_list(rules[1].content, skip_whitespace=True)
    dark = tinycss2.parse_declaration_list(dark_rule.content)
    assert {d.name: tinycss2.serialize(d.value) for d in dark} == {f"--{k}": v for k, v in palette.dark.items()}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("brand-primary", "red;}body{background:url(x)"),
        ("brand-primary", "#FFFFFF"),
        ("brand-primary", "#fff"),
        ("brand-primary:#fff;}x{", "#ffffff"),
        ("--brand-primary", "#ffffff"),
        ("Brand", "#ffffff"),
    ],
)
def test_css_variables_refuses_anything_but_names_and_hex(name: str, value: str) -> None:
    palette = Palette(light={name: value}, dark={})
    with pytest.raises(ValueError):
        css_variables(palette)


def test_expand_palette_draws_a_knowingly_kept_colour_as_chosen_in_light_and_corrected_in_dark() -> None:
    # given: a pale yellow the tenant kept although it fails on white
    palette = expand_palette(primary="#fde68a", accent="#4f46e5")

    # then: light pages use it exactly, with links and focus rings that still pass
    assert palette.light["brand-primary"] == "#fde68a"
    assert contrast_ratio(palette.light["brand-ink"], LIGHT_SURFACE) >= TEXT_CONTRAST
    assert contrast_ratio(palette.light["brand-focus"], LIGHT_SURFACE) >= NON_TEXT_CONTRAST
    # and: dark pages get the nearest colour that passes on the dark surface
    assert contrast_ratio(palette.dark["brand-primary"], DARK_SURFACE) >= NON_TEXT_CONTRAST
