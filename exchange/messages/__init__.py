"""Telling people: in-app notifications, e-mail, reminders, message threads and the inbox."""
