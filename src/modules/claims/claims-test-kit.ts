import type { TestServer } from '../../test-support/test-server.js';
import { SYSTEM_ACTOR } from '../audit/audit-event.js';

/** People and a policy for claims tests. The values are fictitious but well-formed (valid check digits). */
export const ZHANG_SAN = {
  name: '张三丰',
  idType: 'resident-id' as const,
  idNumber: '440304198510123458',
  phone: '13812345678',
  email: 'zhang.sanfeng@example.cn',
  address: '广东省深圳市福田区莲花路 88 号',
  language: 'zh-CN' as const,
};

export const LI_SI = {
  name: '李四海',
  idType: 'resident-id' as const,
  idNumber: '310101199003071230',
  phone: '13998765432',
  email: 'li.sihai@example.cn',
  address: '上海市黄浦区南京东路 1 号',
  language: 'en-US' as const,
};

export const INCIDENT = {
  description: '在莲花路与红荔路交叉口被追尾，后保险杠受损，驾驶员颈部轻伤。',
  location: '深圳市福田区莲花路红荔路口',
};

/**
 * Seeds two customers and a motor policy of branch `beijing` held by Zhang (insured: Zhang; beneficiary:
 * nobody), and a health policy of branch `shanghai` held by Li. Returns their ids and numbers.
 */
export async function seedClaimsWorld(server: TestServer) {
  const services = server.app.claims;
  if (!services) throw new Error('the test server has no vault keys');
  const { customers } = services;
  const db = server.store.db;
  const context = { actor: SYSTEM_ACTOR, requestId: null };
  const zhang = await customers.createCustomer(db, { ...ZHANG_SAN, branch: 'beijing' }, context);
  const li = await customers.createCustomer(db, { ...LI_SI, branch: 'shanghai' }, context);
  const suffix = Math.random().toString(36).slice(2, 8).toUpperCase();
  const motorNumber = `PDAA2026BJ${suffix}`;
  const healthNumber = `PHEA2026SH${suffix}`;
  const year = new Date().getUTCFullYear();
  const motor = await customers.createPolicy(
    db,
    {
      number: motorNumber,
      productLine: 'motor',
      branch: 'beijing',
      holderId: zhang,
      startsOn: `${year - 1}-01-01`,
      endsOn: `${year + 1}-12-31`,
      sumInsured: '300000.00',
      parties: [{ customerId: zhang, role: 'insured' }],
    },
    context,
  );
  const health = await customers.createPolicy(
    db,
    {
      number: healthNumber,
      productLine: 'health',
      branch: 'shanghai',
      holderId: li,
      startsOn: `${year - 1}-01-01`,
      endsOn: `${year + 1}-12-31`,
      sumInsured: '500000.00',
      parties: [{ customerId: li, role: 'insured' }],
    },
    context,
  );
  return { zhang, li, motor, motorNumber, health, healthNumber, yesterday: daysAgo(1) };
}

export function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}
