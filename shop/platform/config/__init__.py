"""What a role is configured with: its stores, secrets, routes and the site's own pages."""
