import type { StaffMember } from '../config/settings';
import type { Queryable } from './pool';

/** Make the staff table match the config: upsert everyone listed, deactivate whoever was removed. */
export async function syncStaff(db: Queryable, staff: StaffMember[]): Promise<void> {
  await db.query(
    `WITH s AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS t(id text, name text, role text, team text, slack text, feishu text, email text, phone text)
     ), up AS (
       INSERT INTO staff (id, name, role, team, slack_user_id, feishu_open_id, email, phone, active, updated_at)
       SELECT id, name, role, team, slack, feishu, email, phone, true, now() FROM s
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, team = EXCLUDED.team,
         slack_user_id = EXCLUDED.slack_user_id, feishu_open_id = EXCLUDED.feishu_open_id,
         email = EXCLUDED.email, phone = EXCLUDED.phone, active = true, updated_at = now()
     )
     UPDATE staff SET active = false, updated_at = now() WHERE active AND id NOT IN (SELECT id FROM s)`,
    [JSON.stringify(staff)],
  );
}
