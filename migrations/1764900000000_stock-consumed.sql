-- Up Migration

-- A reservation ends one of two ways: released (cancelled, refunded, lines changed) or consumed
-- (the order shipped: its units left the warehouse).
ALTER TABLE stock_reservations DROP CONSTRAINT IF EXISTS stock_reservations_status_check;
ALTER TABLE stock_reservations ADD CONSTRAINT stock_reservations_status_check CHECK (status IN ('held', 'released', 'consumed'));

-- Down Migration
UPDATE stock_reservations SET status = 'released' WHERE status = 'consumed';
ALTER TABLE stock_reservations DROP CONSTRAINT IF EXISTS stock_reservations_status_check;
ALTER TABLE stock_reservations ADD CONSTRAINT stock_reservations_status_check CHECK (status IN ('held', 'released'));
