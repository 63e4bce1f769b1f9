"""Analytics: sales reports, buying patterns and forecasts from the events of the others."""
