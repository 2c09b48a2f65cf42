import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../../i18n/i18n-setup';
import { duplicateKeys, formOf, inputOf, nextStepKey, type Playbook, sameAs } from './playbooks-api';
import { PlaybookEditor, PlaybookHistory, type RoleChoice } from './playbooks-page';

const playbook: Playbook = {
  kind: 'lost-device',
  version: 2,
  labels: { 'zh-CN': '设备丢失', 'en-US': 'Lost device' },
  steps: [
    {
      key: 'remote-wipe',
      title: { 'zh-CN': '远程擦除设备', 'en-US': 'Wipe the device remotely' },
      ownerRole: 'admin',
      dueHours: 1,
    },
    {
      key: 'closing-review',
      title: { 'zh-CN': '结案复盘', 'en-US': 'Closing review' },
      ownerRole: 'security_officer',
      dueHours: 720,
    },
  ],
  updatedBy: '0f1e2d3c-0000-4000-8000-000000000001',
  updatedAt: '2026-11-25T01:00:00.000Z',
};

const roles: RoleChoice[] = [
  { value: 'admin', label: 'Administrator' },
  { value: 'security_officer', label: 'Security officer' },
];

function render(node: React.ReactNode, language: 'zh-CN' | 'en-US' = 'en-US'): string {
  return renderToStaticMarkup(<I18nextProvider i18n={createI18n(language)}>{node}</I18nextProvider>);
}

describe('playbook editor (S2.5, issue 5 §2)', () => {
  it('shows every step with its id, titles in both languages, owner and due hours, and a save button to an editor', () => {
    const html = render(
      <PlaybookEditor
        playbook={playbook}
        readOnly={false}
        roleChoices={roles}
        language="en-US"
        onSave={() => {}}
      />,
    );
    expect(html).toContain('Lost device: version 2');
    for (const text of ['remote-wipe', 'closing-review', '远程擦除设备', 'Wipe the device remotely', '720'])
      expect(html).toContain(text);
    expect(html).toContain('Administrator');
    expect(html).toContain('data-testid="playbook-save"');
    expect(html).toContain('data-testid="playbook-add-step"');
    expect(html.match(/data-testid="playbook-step"/g)).toHaveLength(2);
  });

  it('is read-only for roles that may only read: fields disabled, no save, no new steps', () => {
    const html = render(
      <PlaybookEditor playbook={playbook} readOnly roleChoices={roles} language="en-US" onSave={() => {}} />,
    );
    expect(html).not.toContain('data-testid="playbook-save"');
    expect(html).not.toContain('data-testid="playbook-add-step"');
    expect(html).not.toContain('Remove step');
    expect(html).toMatch(
      /<input[^>]*disabled=""[^>]*value="remote-wipe"|<input[^>]*value="remote-wipe"[^>]*disabled=""/,
    );
  });

  it('speaks Chinese by default and English when asked', () => {
    const zh = render(
      <PlaybookEditor
        playbook={playbook}
        readOnly={false}
        roleChoices={roles}
        language="zh-CN"
        onSave={() => {}}
      />,
      'zh-CN',
    );
    expect(zh).toContain('设备丢失：第 2 版');
    expect(zh).toContain('保存为新版本');
    const en = render(
      <PlaybookEditor
        playbook={playbook}
        readOnly={false}
        roleChoices={roles}
        language="en-US"
        onSave={() => {}}
      />,
    );
    expect(en).toContain('Save as a new version');
  });
});

describe('playbook history', () => {
  it('lists the versions newest first, marks the current one and names the shipped one', () => {
    const shipped: Playbook = { ...playbook, version: 0, updatedBy: null, updatedAt: null };
    const html = render(
      <PlaybookHistory versions={[playbook, shipped]} language="en-US" roleChoices={roles} />,
    );
    const v2 = html.indexOf('Version 2');
    const v0 = html.indexOf('Shipped version');
    expect(v2).toBeGreaterThan(-1);
    expect(v0).toBeGreaterThan(v2);
    expect(html).toContain('Current');
    expect(html).toContain('2 steps');
  });
});

describe('playbook form values', () => {
  it('sends trimmed texts and numeric hours, and only the fields the API takes', () => {
    const form = formOf(playbook);
    const edited = {
      labels: { 'zh-CN': ' 设备丢失 ', 'en-US': 'Lost device ' },
      steps: [{ ...form.steps[0], key: ' wipe ', dueHours: '0.5' as unknown as number, extra: 1 }],
    } as unknown as typeof form;
    expect(inputOf(edited)).toEqual({
      labels: { 'zh-CN': '设备丢失', 'en-US': 'Lost device' },
      steps: [
        {
          key: 'wipe',
          title: { 'zh-CN': '远程擦除设备', 'en-US': 'Wipe the device remotely' },
          ownerRole: 'admin',
          dueHours: 0.5,
        },
      ],
    });
  });

  it('knows when nothing changed, finds duplicate step ids and proposes a free one', () => {
    const form = formOf(playbook);
    expect(sameAs(playbook, form)).toBe(true);
    // The form is a copy: editing it leaves the loaded playbook alone.
    (form.steps[0] as { dueHours: number }).dueHours = 2;
    expect(playbook.steps[0]?.dueHours).toBe(1);
    expect(sameAs(playbook, form)).toBe(false);
    expect(duplicateKeys([{ key: 'a' }, { key: 'b' }, { key: 'a ' }])).toEqual(['a']);
    expect(duplicateKeys(playbook.steps)).toEqual([]);
    expect(nextStepKey([{ key: 'step-3' }, { key: 'x' }])).toBe('step-4');
    expect(nextStepKey([{ key: 'a' }])).toBe('step-2');
  });
});
