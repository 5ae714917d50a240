"""HTTP routes by role: messenger (mu), compute (cu), scheduler (su), gateway."""
