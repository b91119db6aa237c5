/** The SIMS permission group that fixes a failed data area (R-IMP-10, from the seed document's table). */
import type { DataArea } from '../events/importRun.js';

const PERMISSION_GROUPS: Readonly<Record<DataArea, string>> = {
  members: 'Admissions officer',
  contacts: 'Admissions officer',
  staff: 'Personnel officer',
  groups: 'Class teacher or Pastoral manager',
  attendance: 'Class teacher or Attendance operator/manager',
  timetables: 'Third party reporter',
  'medical-conditions': 'Admissions officer',
  assessments: 'Admissions officer',
  behaviour: 'Admissions officer',
  achievements: 'Admissions officer',
};

/** The permission group an MIS user needs to read a data area. */
export const permissionGroupFor = (area: DataArea): string => PERMISSION_GROUPS[area];
