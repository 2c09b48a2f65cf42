/**
 * Strings of the staff page that changes a customer's contact details (S3.1, S4.3), mounted under
 * `customerContact` in zh-CN.ts and en-US.ts. The English object is typed by the Chinese one.
 */
export const customerContactZhCN = {
  title: '变更客户联系方式',
  subtitle:
    '按身份证号码、手机号或电子邮箱找到客户，再填写新的联系方式。变更需要说明目的和二次验证，全程审计；客户原手机号和邮箱会收到变更提醒；安全事件暂停变更期间会被拒绝。',
  search: '身份证号码、手机号或电子邮箱',
  searchButton: '查找客户',
  searchInvalid: '请输入身份证号码、11 位手机号或电子邮箱',
  noMatch: '没有找到客户',
  columns: { name: '姓名', idNumber: '证件号码', phone: '手机号码', policies: '保单' },
  choose: '变更联系方式',
  formTitle: '新的联系方式（只填写要变更的项）',
  phone: '新手机号码',
  phoneInvalid: '请输入 11 位中国大陆手机号',
  email: '新电子邮箱',
  emailInvalid: '请输入有效的电子邮箱',
  address: '新联系地址',
  purpose: '目的',
  purposeRequired: '请选择目的',
  nothing: '请至少填写一项新的联系方式',
  submit: '确认变更',
  cancel: '取消',
  done: '已变更：{{fields}}。客户原联系方式将收到提醒。',
  fields: { phone: '手机号码', email: '电子邮箱', address: '联系地址' },
};

export const customerContactEnUS: typeof customerContactZhCN = {
  title: "Change a customer's contact details",
  subtitle:
    'Find the customer by ID number, mobile number or email, then enter the new details. A change needs a purpose and a fresh second factor and is audited; the old phone and email are told; it is refused while a security incident holds the customer’s changes.',
  search: 'ID number, mobile number or email',
  searchButton: 'Find customer',
  searchInvalid: 'Enter an ID number, an 11-digit mobile number or an email',
  noMatch: 'No customer found',
  columns: { name: 'Name', idNumber: 'ID number', phone: 'Mobile', policies: 'Policies' },
  choose: 'Change contact details',
  formTitle: 'New contact details (fill in only what changes)',
  phone: 'New mobile number',
  phoneInvalid: 'Enter an 11-digit mainland China mobile number',
  email: 'New email',
  emailInvalid: 'Enter a valid email address',
  address: 'New postal address',
  purpose: 'Purpose',
  purposeRequired: 'Choose a purpose',
  nothing: 'Fill in at least one new contact detail',
  submit: 'Change',
  cancel: 'Cancel',
  done: 'Changed: {{fields}}. The customer’s old contacts will be told.',
  fields: { phone: 'Mobile number', email: 'Email', address: 'Postal address' },
};
