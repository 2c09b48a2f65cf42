import { Input, type InputProps } from 'antd';

/** A 6-digit authenticator code: numeric keyboard on phones, one-time-code autofill, digits only. */
export function CodeInput(props: Omit<InputProps, 'maxLength' | 'inputMode' | 'autoComplete'>) {
  return (
    <Input
      {...props}
      maxLength={6}
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]*"
      style={{ letterSpacing: '0.3em', fontVariantNumeric: 'tabular-nums', ...props.style }}
    />
  );
}

export const sixDigits = /^\d{6}$/;
