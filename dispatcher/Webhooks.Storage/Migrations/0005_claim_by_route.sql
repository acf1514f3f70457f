-- Claims read each route's due deliveries in due order from that route's own index range (one
-- LATERAL scan per route), so a claim costs the same however long the queue grows and whatever
-- the planner's statistics say about it. This index replaces deliveries_due, one range for all
-- routes: with statistics from a small queue (the usual case just before a burst) the planner
-- instead read every pending row of every route through deliveries_route_state and sorted them,
-- on every claim, until autovacuum next analyzed the table. Route-wide updates (410 Gone, route
-- deletion) filter on route_uid and state = 'pending' and use this index too.
create index deliveries_route_due on auditlog.deliveries (route_uid, next_attempt_at) where state = 'pending';
drop index auditlog.deliveries_due;
drop index auditlog.deliveries_route_state;
