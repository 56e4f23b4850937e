"""The composition root: builds the services (client, store, scheduler, downloads)
the app runs on. No Textual here."""
