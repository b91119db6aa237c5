/**
 * Column mapping of SIMS-style CSV reports (Reports > Design Report, exported as CSV).
 * The defaults follow typical SIMS report field names; a school whose report names
 * a field differently passes its own mapping. Headers match without regard to case.
 */

/** An email or phone column and the MIS location its values have. Cells may hold several values separated by `;`. */
export interface LocatedColumn {
  readonly column: string;
  readonly location: string;
}

/** The columns of each report. */
export interface SimsColumns {
  readonly students: {
    readonly id: string;
    readonly upn: string;
    readonly surname: string;
    readonly forename: string;
    readonly status: string;
    readonly admissionDate: string;
    readonly leavingDate: string;
    readonly applicationStatus: string;
    readonly applicationStandardStatus: string;
    readonly refusedSharing: string;
  };
  readonly contacts: {
    readonly personId: string;
    readonly contactId: string;
    readonly surname: string;
    readonly forename: string;
    readonly relationship: string;
    readonly priority: string;
    readonly parentalResponsibility: string;
    readonly emails: ReadonlyArray<LocatedColumn>;
    readonly phones: ReadonlyArray<LocatedColumn>;
  };
  readonly staff: {
    readonly id: string;
    readonly staffCode: string;
    readonly surname: string;
    readonly forename: string;
    readonly status: string;
    readonly leavingDate: string;
  };
  readonly groups: {
    readonly id: string;
    readonly name: string;
    readonly type: string;
    readonly active: string;
    readonly personId: string;
  };
}

/** Typical SIMS report headers. */
export const defaultSimsColumns: SimsColumns = {
  students: {
    id: 'Person ID',
    upn: 'UPN',
    surname: 'Legal Surname',
    forename: 'Legal Forename',
    status: 'Enrolment Status',
    admissionDate: 'Date of Admission',
    leavingDate: 'Date of Leaving',
    applicationStatus: 'Application Status',
    applicationStandardStatus: 'Application Status Category',
    refusedSharing: 'Data Sharing Refused',
  },
  contacts: {
    personId: 'Person ID',
    contactId: 'Contact ID',
    surname: 'Contact Surname',
    forename: 'Contact Forename',
    relationship: 'Relationship',
    priority: 'Priority',
    parentalResponsibility: 'Parental Responsibility',
    emails: [
      { column: 'Email (Home)', location: 'Home' },
      { column: 'Email (Work)', location: 'Work' },
      { column: 'Email (Other)', location: 'Other' },
    ],
    phones: [
      { column: 'Telephone (Mobile)', location: 'Mobile' },
      { column: 'Telephone (Home)', location: 'Home' },
      { column: 'Telephone (Work)', location: 'Work' },
    ],
  },
  staff: { id: 'Person ID', staffCode: 'Staff Code', surname: 'Legal Surname', forename: 'Legal Forename', status: 'Employment Status', leavingDate: 'Date of Leaving' },
  groups: { id: 'Group ID', name: 'Group Name', type: 'Group Type', active: 'Active', personId: 'Person ID' },
};

/** A mapping with some columns renamed; the rest keep their defaults. */
export const simsColumns = (overrides: { readonly [K in keyof SimsColumns]?: Partial<SimsColumns[K]> } = {}): SimsColumns => ({
  students: { ...defaultSimsColumns.students, ...overrides.students },
  contacts: { ...defaultSimsColumns.contacts, ...overrides.contacts },
  staff: { ...defaultSimsColumns.staff, ...overrides.staff },
  groups: { ...defaultSimsColumns.groups, ...overrides.groups },
});
