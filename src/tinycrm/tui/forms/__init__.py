"""Modal forms: contact, note, follow-up, sale, satisfaction score, snooze, done."""
