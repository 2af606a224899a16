import type { StaffMember } from '../config/settings';
import type { ChatUser, Staff, StaffRole } from '../domain/staff';
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

const STAFF_COLUMNS = `id, name, role, team, slack_user_id AS "slackUserId", feishu_open_id AS "feishuOpenId", email, phone`;

/** The active staff member behind a chat identity, or null when they are not on the list. */
export async function findStaffByChatUser(db: Queryable, user: ChatUser): Promise<Staff | null> {
  const column = user.platform === 'slack' ? 'slack_user_id' : user.platform === 'feishu' ? 'feishu_open_id' : 'id';
  const { rows } = await db.query<Staff>(`SELECT ${STAFF_COLUMNS} FROM staff WHERE active AND ${column} = $1`, [user.userId]);
  return rows[0] ?? null;
}

export async function findStaff(db: Queryable, id: string): Promise<Staff | null> {
  const { rows } = await db.query<Staff>(`SELECT ${STAFF_COLUMNS} FROM staff WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** Active staff of a team with at least one of the roles (managers and admins may have no team). */
export async function staffForEscalation(db: Queryable, team: string, roles: StaffRole[]): Promise<Staff[]> {
  const { rows } = await db.query<Staff>(
    `SELECT ${STAFF_COLUMNS} FROM staff
     WHERE active AND role = ANY($2) AND (team = $1 OR (team IS NULL AND role IN ('manager', 'admin')))
     ORDER BY role, id`,
    [team, roles],
  );
  return rows;
}

export async function listActiveStaff(db: Queryable): Promise<Staff[]> {
  const { rows } = await db.query<Staff>(`SELECT ${STAFF_COLUMNS} FROM staff WHERE active ORDER BY id`);
  return rows;
}
