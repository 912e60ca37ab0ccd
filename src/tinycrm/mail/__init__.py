"""The daily digest as a message: rendered from a `services.digest.Digest`, and sent.

text.py (plain text, styled only on a terminal), markdown.py, html.py (a self-contained e-mail
body), send.py (SMTP or a local sendmail); its JSON is in `serialize.digest`.
Nothing here decides what is due: that is `services.digest.build_digest`.
"""
