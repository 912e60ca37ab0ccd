"""The daily digest's front end: rendering a `services.digest.Digest` and sending it.

text.py (plain text, styled only on a terminal), markdown.py, html.py (a self-contained e-mail
body), data.py (JSON-ready dict with stable keys), send.py (SMTP or a local sendmail).
Nothing here decides what is due: that is `services.digest.build_digest`.
"""
