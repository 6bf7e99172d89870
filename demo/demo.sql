CREATE EXTENSION IF NOT EXISTS artbandit;
SELECT 'demo placeholder';
