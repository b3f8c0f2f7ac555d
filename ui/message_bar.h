// A non-blocking message strip above the view: errors and notices with what to do,
// dismissed by the user or replaced by the next message.
#pragma once

#include <QFrame>

class QLabel;

namespace stylize::ui {

class MessageBar : public QFrame {
    Q_OBJECT
public:
    explicit MessageBar(QWidget* parent = nullptr);
    QString text() const;

public slots:
    void showError(const QString& message);
    void showNotice(const QString& message);

private:
    void showMessage(const QString& message, bool error);
    QLabel* label_ = nullptr;
};

}  // namespace stylize::ui
