"""Policy events (export controls, countermeasures, industrial policy): stored, listed, matched to indicators."""
