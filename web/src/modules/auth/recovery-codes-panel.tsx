import { CopyOutlined, DownloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Checkbox, Flex, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** The codes as a text file's content: a heading, then one code a line. */
export function recoveryCodesText(heading: string, codes: readonly string[]): string {
  return `${heading}\n\n${codes.join('\n')}\n`;
}

/**
 * Shows fresh recovery codes once, with copy and download, and lets the person go on only after they
 * confirm they saved them.
 */
export function RecoveryCodesPanel({
  codes,
  finishLabel,
  onFinish,
}: {
  codes: readonly string[];
  finishLabel: string;
  onFinish: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [saved, setSaved] = useState(false);
  const text = recoveryCodesText(t('setup.recovery.fileHeader'), codes);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      void message.success(t('setup.recovery.copied'));
    } catch {
      void message.error(t('errors.unexpected'));
    }
  };

  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'claimguard-recovery-codes.txt';
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <Flex vertical gap="middle">
      <Typography.Paragraph style={{ marginBottom: 0 }}>{t('setup.recovery.intro')}</Typography.Paragraph>
      <Alert type="warning" showIcon title={t('setup.recovery.warning')} />
      <ol
        data-testid="recovery-codes"
        style={{
          display: 'grid',
          gridTemplateColumns: 'repeat(auto-fill, minmax(190px, 1fr))',
          gap: '8px 24px',
          margin: 0,
          paddingInlineStart: 24,
          fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
          fontSize: 15,
        }}
      >
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <Flex gap="small" wrap>
        <Button icon={<CopyOutlined />} onClick={() => void copy()}>
          {t('setup.recovery.copy')}
        </Button>
        <Button icon={<DownloadOutlined />} onClick={download}>
          {t('setup.recovery.download')}
        </Button>
      </Flex>
      <Checkbox
        checked={saved}
        onChange={(event) => setSaved(event.target.checked)}
        data-testid="recovery-saved"
      >
        {t('setup.recovery.saved')}
      </Checkbox>
      <div>
        <Button type="primary" disabled={!saved} onClick={onFinish} data-testid="recovery-finish">
          {finishLabel}
        </Button>
      </div>
    </Flex>
  );
}
