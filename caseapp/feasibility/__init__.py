"""Is a claim feasible, and what is it worth: the per-country rules in jurisdictions/."""
