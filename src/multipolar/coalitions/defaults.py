"""Defaults of the coalition analyses, kept apart so the command line reads them without
loading numpy."""

THRESHOLD = 0.7  # default cut: groups join one bloc while their mean alignment is >= this
