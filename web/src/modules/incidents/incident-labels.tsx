import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { CnGrade, IncidentState, SeverityLevel } from './incidents-api';

/** Colours and tags shared by the register and the incident page. */
export const LEVEL_COLOURS: Record<SeverityLevel, string> = {
  low: 'green',
  medium: 'gold',
  high: 'orange',
  critical: 'red',
};

export const GRADE_COLOURS: Record<CnGrade, string> = {
  general: 'blue',
  larger: 'orange',
  major: 'red',
  'especially-major': 'magenta',
};

const STATE_COLOURS: Record<IncidentState, string> = {
  declared: 'red',
  investigating: 'volcano',
  contained: 'orange',
  notifying: 'gold',
  remediating: 'blue',
  closed: 'default',
};

export function StateTag({ state }: { state: IncidentState }) {
  const { t } = useTranslation();
  return <Tag color={STATE_COLOURS[state]}>{t(`incidents.states.${state}`)}</Tag>;
}

export function LevelTag({ level }: { level: SeverityLevel }) {
  const { t } = useTranslation();
  return <Tag color={LEVEL_COLOURS[level]}>{t(`incidents.levels.${level}`)}</Tag>;
}

export function GradeTag({ grade }: { grade: CnGrade }) {
  const { t } = useTranslation();
  return <Tag color={GRADE_COLOURS[grade]}>{t(`incidents.grades.${grade}`)}</Tag>;
}

export function DrillTag() {
  const { t } = useTranslation();
  return (
    <Tag color="purple" data-testid="drill-tag">
      {t('incidents.drill')}
    </Tag>
  );
}
