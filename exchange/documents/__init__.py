"""Supporting documents of requests and offers: checked, stored, downloaded, deleted."""
