"""Intake's services: the parts that touch the database (importing what the parser read)."""
