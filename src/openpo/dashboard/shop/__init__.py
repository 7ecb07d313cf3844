"""The shop itself: settings, bank accounts, payment settings, the team and invitations, sign-up
and log-in."""
