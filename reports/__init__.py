"""Area reports: one printable report per LA or ward (HTML and PDF) with a rule-based summary, and the static site of them all."""
