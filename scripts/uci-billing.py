#!/usr/bin/env python3
"""Turns the UCI "default of credit card clients" file (30,000 Taiwanese card accounts,
April-September 2005) into Credence billing records, so the next-month arrears model is
built through the commands a utility uses: `credence load`, `credence utility dataset`,
`credence model train`.

    scripts/uci-billing.py UCI.csv OUT_DIR

writes OUT_DIR/accounts.csv, bills.csv, bill_payments.csv (a folder `credence load`
imports) and OUT_DIR/demographics.csv (account_id and the file's SEX, EDUCATION, MARRIAGE
and AGE, which no billing system holds: joined to the data set for the second comparison).

How the file maps (standard library only):
- Each row is a residential, postpaid account (`UCI00001`) of supply unit `UCI` with its
  LIMIT_BAL as credit limit, in TWD, opened 2005-01-01.
- BILL_AMT6 … BILL_AMT1 are the statement balances of April … September. The card's
  balances accumulate, a utility's bills do not: each month's bill is the month's new
  charge, balance − previous balance + the month's payment (April: its balance plus its
  payment, which settled a balance from before April), issued
  on the month's last day and due 20 days later. A charge can be zero or negative (a
  correction bill).
- PAY_AMT6 … PAY_AMT1, the amounts paid in April … September, become payments on account
  dated the 15th of their month.
- PAY_6 … PAY_0, the repayment status of April … September (months behind; -2, -1 and 0
  mean up to date), become each month's bill's `arrears_months` (negative codes as 0).
- The label, default next month, becomes the October bill (issued 2005-10-31, due
  2005-11-20) of the September balance plus 100: left unpaid when the label is 1, paid in
  full on 2005-11-15 when it is 0. With the default arrears rule (100 unpaid 30 days after
  the due date) an account is in arrears on it exactly when the label is 1.
"""
import calendar
import csv
import datetime as dt
import os
import sys

MONTHS = {k: 10 - k for k in range(1, 7)}  # BILL_AMTk / PAY_AMTk: k=1 September … 6 April
STATUS = {1: "PAY_0", 2: "PAY_2", 3: "PAY_3", 4: "PAY_4", 5: "PAY_5", 6: "PAY_6"}
YEAR = 2005


def month_end(month):
    return dt.date(YEAR, month, calendar.monthrange(YEAR, month)[1])


def money(x):
    return f"{x:.2f}"


def main(src, out):
    os.makedirs(out, exist_ok=True)
    files = {name: open(os.path.join(out, name), "w", newline="", encoding="utf-8")
             for name in ("accounts.csv", "bills.csv", "bill_payments.csv", "demographics.csv")}
    w = {name: csv.writer(f) for name, f in files.items()}
    w["accounts.csv"].writerow(["account_id", "account_class", "supply_unit", "settlement",
                                "credit_limit", "currency", "opened_date"])
    w["bills.csv"].writerow(["bill_id", "account_id", "period", "issue_date", "due_date",
                             "amount", "currency", "arrears_months"])
    w["bill_payments.csv"].writerow(["payment_id", "account_id", "bill_id", "paid_date",
                                     "amount", "currency"])
    w["demographics.csv"].writerow(["account_id", "SEX", "EDUCATION", "MARRIAGE", "AGE"])
    rows = 0
    with open(src, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows += 1
            acct = f"UCI{int(r['ID']):05d}"
            w["accounts.csv"].writerow([acct, "residential", "UCI", "postpaid",
                                        money(float(r["LIMIT_BAL"])), "TWD", "2005-01-01"])
            w["demographics.csv"].writerow([acct, r["SEX"], r["EDUCATION"], r["MARRIAGE"], r["AGE"]])
            balance = {k: float(r[f"BILL_AMT{k}"]) for k in MONTHS}
            paid = {k: float(r[f"PAY_AMT{k}"]) for k in MONTHS}
            for k in range(6, 0, -1):
                month = MONTHS[k]
                # April's payment settled a balance from before April: it is counted into
                # April's bill, so what the account owes after September is BILL_AMT1.
                charge = balance[k] + paid[k] if k == 6 else balance[k] - balance[k + 1] + paid[k]
                issued = month_end(month)
                w["bills.csv"].writerow([f"{acct}-{YEAR}{month:02d}", acct, f"{YEAR}{month:02d}",
                                         issued, issued + dt.timedelta(days=20), money(charge), "TWD",
                                         max(int(r[STATUS[k]]), 0)])
                if paid[k] > 0:
                    w["bill_payments.csv"].writerow([f"{acct}-P{YEAR}{month:02d}", acct, "",
                                                     dt.date(YEAR, month, 15), money(paid[k]), "TWD"])
            october = abs(balance[1]) + 100
            bill = f"{acct}-{YEAR}10"
            w["bills.csv"].writerow([bill, acct, f"{YEAR}10", dt.date(YEAR, 10, 31),
                                     dt.date(YEAR, 11, 20), money(october), "TWD", ""])
            if r["DEFAULT"].strip() == "0":
                # What the October bill still needs once September's credit (a negative
                # balance) has settled part of it.
                due = october - max(-balance[1], 0)
                w["bill_payments.csv"].writerow([f"{acct}-P{YEAR}11", acct, bill,
                                                 dt.date(YEAR, 11, 15), money(due), "TWD"])
    for f in files.values():
        f.close()
    print(f"{rows} accounts written to {out}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
