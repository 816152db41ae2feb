"""wagate's bottom layer: settings, errors, phone numbers, the warehouse. Imports no other wagate package."""
