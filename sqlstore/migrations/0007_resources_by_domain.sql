-- BSS's resource query pages through a domain's resources, oldest first
-- (Store.QueryResources): an index on (domain_id, seq) reads them in order
-- instead of sorting the domain's rows.
CREATE INDEX instances_by_domain ON instances (domain_id, seq);
