Subject: Abuse from {source_ip} ({asn}) at {date_utc}

Dear {network} abuse team,

{source_ip} sent {kind_text} ({category}, {feedback_type}) to
{reporter_org}. Literal braces: {{not a variable}}.
Evidence {evidence_hash}, {incidents} incident(s).
URLs: {urls}
