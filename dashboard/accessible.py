"""Accessibility shared by the entry point and the tests: the WCAG 2.x contrast ratio, and the global CSS that lifts the
text Streamlit fades (captions, labels of disabled widgets, the selected segment of a segmented control) to WCAG 2.2 AA
contrast (1.4.3: 4.5:1 for body-size text). Plain Python, no Streamlit: app.py renders GLOBAL_CSS once."""
from __future__ import annotations

# The backgrounds these colours sit on in the light theme (.streamlit/config.toml): the page, the sidebar, and a selected
# segment (the theme's primary colour at 10% over white). tests/test_colour_scales.py holds every pair to 4.5:1.
PAGE_BACKGROUND = "#ffffff"
SIDEBAR_BACKGROUND = "#f8f8f7"
SELECTED_SEGMENT_BACKGROUND = "#f9ebed"
SELECTED_SEGMENT_HOVER_BACKGROUND = "#f3d7da"  # the primary colour at 20%, under the pointer or the keyboard focus

# Streamlit draws captions at 60% opacity of the text colour (3.9:1 on white): axe rule color-contrast, serious.
CAPTION_TEXT = "#5c5b59"  # 6.8:1 on white, 6.4:1 on the sidebar
# A disabled widget's label at 40% (2.3:1). WCAG exempts inactive controls, but the label is a separate element that
# axe (and a reader) sees as text; it stays lighter than an active label, and the control itself stays greyed.
DISABLED_LABEL_TEXT = "#6b6966"  # 5.5:1 on white, 5.2:1 on the sidebar
# The selected segment's text is the primary colour on its own 10% tint: 4.47:1.
SELECTED_SEGMENT_TEXT = "#a8303d"  # 5.7:1 on the tint, 4.9:1 on the hover tint

# Keyboard focus. Streamlit marks a focused sidebar link only by a 15% grey tint (1.1:1 against the sidebar) and a
# focused button by a ring of the primary colour at 50% (2.2:1 on white): 1.4.11 asks 3:1 for the indicator of a state.
FOCUS_RING = "#1f4e9a"  # the atlas blue (figures.py): 8.0:1 on white, 7.6:1 on the sidebar

# Trusted constant CSS (no user text). Attribute selectors (data-testid, disabled, data-selected) outrank Streamlit's
# single generated class, and name the element by its role rather than by a class that changes between releases.
GLOBAL_CSS = (
    "<style>"
    # less empty space above the page, so a 1366x768 screen shows controls and map together
    "[data-testid='stMainBlockContainer']{padding-top:2.2rem;padding-bottom:2rem}"
    f"[data-testid='stCaptionContainer']{{opacity:1;color:{CAPTION_TEXT}}}"
    f"label[data-testid='stWidgetLabel'][disabled]{{color:{DISABLED_LABEL_TEXT}}}"
    # Streamlit's rule is .class[data-selected]:is([data-hovered],[data-focus-visible]):not([data-disabled]), (0,4,0):
    # four attribute tests and an element outrank it (segmented controls and pills), resting, hovered or focused.
    f"[data-testid='stButtonGroup'] button[data-variant][data-selected]:not([data-disabled]){{color:{SELECTED_SEGMENT_TEXT}}}"
    # text fields show focus by their own primary-coloured border (5.2:1), so only links, buttons, tabs and summaries
    f"[data-testid='stApp'] :is(a,button,summary,[role='tab']):focus-visible{{outline:2px solid {FOCUS_RING};outline-offset:1px}}"
    f"[data-testid='stSidebarNav'] a:focus-visible{{outline-offset:-2px}}"  # inside: the nav list clips what lies outside
    "</style>"
)


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a '#rrggbb' sRGB colour."""
    value = colour.lstrip("#")
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.x contrast ratio, 1 to 21 (1.4.3 asks 4.5 for text, 1.4.11 asks 3 for graphics and control borders)."""
    light, dark = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
