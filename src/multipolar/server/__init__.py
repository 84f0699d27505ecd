"""The web app for what-if analysis (``multipolar serve``); needs the ``server`` extra."""
